"""The report and what is made from it: the model and its verdict, how much each finding hurts (the one order
of fixes), the guided flow's steps, the exports (JSON, HTML, text, mail draft) and the plots."""
