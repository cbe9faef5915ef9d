"""Retrieval as stages, one module each, plain data in and out (docs/ARCHITECTURE.md):

    question.py    analyse     the question's names, summits, glossary terms; its words tokenised once
    candidates.py  candidates  the passages the named summits and organisations allow
    scores.py      scores      dense (passage and best sentence) and lexical (BM25) per passage
    fusion.py      fuse        one score, candidates in order
    rerank.py      rerank      a Protocol; term coverage by default
    decision.py    decide      found / partly / declined, with the reason
    citations.py   cite        the page of citations, labels and groups
    excerpts.py    excerpt     which sentences of a cited passage to show
    ranking.py     Ranking     a question's hits in order (and Link, how a front end links a citation)
    alignment.py   Counterparts  which passages of two summits are on the same topic
    on_topic.py    TopicReader what one summit says on a topic: its passage, or nothing (記載なし)
    comparison.py  Comparer    an answer across summits: one column per summit, 記載なし, new, dropped
    pipeline.py    Pipeline    the stages wired for one index version
    tuning.py      Weights and Thresholds, the tuned constants
"""
from .pipeline import Pipeline
from .ranking import Link, no_link

__all__ = ["Link", "Pipeline", "no_link"]
