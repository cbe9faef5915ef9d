"""The front ends: command line now, Slack and web pages later. They render Answers; they never decide what to cite."""
