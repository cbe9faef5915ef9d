"""Retrieval core: the corpus, the hybrid index and cited answers.

Nothing in this package knows about Slack or HTML: it turns declarations into
passages, finds the passages that answer a question and decides what to cite.
"""
