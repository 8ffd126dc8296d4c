"""`make bench`: turn cost, load, growth and memory, plus the NLU and safeguarding figures."""
