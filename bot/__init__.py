"""The front ends: Slack (listeners, responder, blocks), the web pages and the command line.

They render Answers; they never decide what to cite (index/ does).
"""
