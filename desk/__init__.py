"""The counter desk: `sscard serve`, a web page for clerks, auditors and policy staff.

A second front door as thin as cli.py: each page parses a request, calls the same engine
functions the commands call (in worker processes where rules are decided) and renders.
"""
