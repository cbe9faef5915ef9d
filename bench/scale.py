"""How search cost grows with the corpus: exact against approximate faiss, 10k to 1M passages.

    .venv/bin/python bench/scale.py [--sizes 10000 100000 1000000] [--real 10000]

Corpora (the real one has 70 passages, so larger ones are made up):
  real-embedded (10k)  synthetic passages built from the declarations' own sentences (1–3 each,
                       under the organisation and section of a real passage, a random summit 1–30),
                       embedded with the real model; with a real lexical index and sentence vectors,
                       so the whole pipeline runs on it.
  100k, 1M             vectors only: each is one of the real-embedded vectors plus Gaussian noise with
                       their own covariance, scaled so a vector is as close to its seed as a real
                       passage is to its nearest neighbour.
Queries are the questions of eval/*.jsonl, embedded by the model. Indexes: exact (IndexFlatIP), IVF as
the product builds it (index/vectors.py) with an nprobe sweep, and HNSW (M=32) for comparison.
Figures: build time, bytes per passage, one-question latency p50/p95 at k=10 and at the pipeline's
depth (k=1000), recall@10 against exact search.
"""
from __future__ import annotations

import hashlib
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from common import CACHE, eval_questions, machine, standalone, summary_ms

from bot.links import LinkMaker
from index import vectors as dense_index
from index.lexical import LexicalIndex, tokenize
from index.model import Document
from index.retrieval import Pipeline
from index.retrieval.scores import DENSE_DEPTH
from index.service import SummitIndex
from index.settings import Settings
from index.store import IndexData

RECALL_AT = 10
NPROBE_SWEEP = (16, 32, 64, 96, 128, 256)
HNSW_M, HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH = 32, 40, (32, 64, 128)


# ---------------------------------------------------------------------- corpora


def real_sentences(data: IndexData) -> list[tuple[str, int]]:
    """(text, row in sentence_vectors) of every sentence of the real declarations."""
    pairs = zip(data.sentence_owner, data.sentence_spans)
    return [(data.passages[o].text[s:e], r) for r, (o, (s, e)) in enumerate(pairs)]


def synthetic_corpus(data: IndexData, count: int, seed: int = 0):
    """`count` passages of 1–3 real sentences each (real ones average 1.6).

    Each takes the organisation and section of a random real passage, and a random summit 1–30.
    """
    rng = random.Random(seed)
    sentences = real_sentences(data)
    documents = {}
    for summit in range(1, 31):
        documents[f"synthetic-{summit}"] = Document(key=f"synthetic-{summit}", summit=summit, title=f"合成宣言{summit}",
                                                    host_city="", file="synthetic.txt")
    passages, contexts, owner, spans, sentence_rows = [], [], [], [], []
    for i in range(count):
        template = rng.choice(data.passages)
        chosen = rng.sample(sentences, rng.randint(1, 3))
        text, offset = "", 0
        for sentence, row in chosen:
            owner.append(i)
            spans.append((offset, offset + len(sentence)))
            sentence_rows.append(row)
            text += sentence
            offset += len(sentence)
        summit = rng.randint(1, 30)
        passages.append(replace(template, id=f"x{i}", document=f"synthetic-{summit}", summit=summit, text=text,
                                start=0, end=len(text), order=i))
        contexts.append(f"{template.organization if template.city else ''} {' '.join(template.section)} {text}")
    sentence_table = (np.array(owner, np.int32), np.array(spans, np.int32), data.sentence_vectors[sentence_rows])
    return documents, passages, contexts, sentence_table


def embed_cached(embedder, texts: list[str]) -> tuple[np.ndarray, float, bool]:
    """Passage vectors of `texts` and the seconds embedding took (from the cache when embedded before)."""
    digest = hashlib.sha1("\n".join([embedder.fingerprint, *texts]).encode()).hexdigest()[:16]
    path = CACHE / f"scale-{digest}.npz"
    if path.exists():
        with np.load(path) as stored:
            return stored["vectors"], float(stored["seconds"]), True
    started = time.perf_counter()
    vectors = embedder.encode_passages(texts, progress=True).astype(np.float32)
    seconds = time.perf_counter() - started
    CACHE.mkdir(exist_ok=True)
    np.savez(path, vectors=vectors, seconds=seconds)
    return vectors, seconds, False


def noise_scale(seeds: np.ndarray, basis: np.ndarray, rng: np.random.Generator) -> tuple[float, float]:
    """The noise factor that puts a synthetic vector as close to its seed as real neighbours are."""
    sample = seeds[rng.choice(len(seeds), min(2000, len(seeds)), replace=False)]
    similarity = sample @ seeds.T
    similarity[similarity > 0.99999] = -1  # itself
    target = float(np.median(similarity.max(axis=1)))
    low, high = 0.0, 4.0
    for _ in range(20):
        eta = (low + high) / 2
        cosine = float(np.median(np.sum(sample * _noisy(sample, eta, basis, rng), axis=1)))
        low, high = (eta, high) if cosine > target else (low, eta)
    return eta, target


def _noisy(seeds: np.ndarray, eta: float, population: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    centred = population - population.mean(axis=0)
    # Noise with the population's covariance: random combinations of centred real vectors.
    mix = rng.standard_normal((len(seeds), len(population)), dtype=np.float32) / np.sqrt(len(population))
    out = seeds + eta * (mix @ centred)
    return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)


def synthetic_vectors(seeds: np.ndarray, basis: np.ndarray, count: int, eta: float,
                      rng: np.random.Generator) -> np.ndarray:
    out = np.empty((count, seeds.shape[1]), np.float32)
    for start in range(0, count, 20_000):
        rows = rng.integers(0, len(seeds), min(20_000, count - start))
        out[start:start + len(rows)] = _noisy(seeds[rows], eta, basis, rng)
    return out


# ---------------------------------------------------------------------- measurements


def latency(index, queries: np.ndarray, k: int) -> dict:
    times = []
    for query in queries:
        started = time.perf_counter()
        index.search(query[None, :], k)
        times.append(time.perf_counter() - started)
    return summary_ms(times)


def recall(index, queries: np.ndarray, truth: np.ndarray) -> float:
    _, found = index.search(queries, RECALL_AT)
    return round(float(np.mean([len(set(a) & set(b)) / RECALL_AT for a, b in zip(truth, found)])), 4)


def index_bytes(index) -> int:
    import faiss

    return int(faiss.serialize_index(index).nbytes)


def measure(name: str, index, build_s: float, queries: np.ndarray, truth: np.ndarray | None, chosen: bool) -> dict:
    size = index_bytes(index)
    return {
        "index": name,
        "build_s": round(build_s, 2),
        "bytes_per_passage": round(size / index.ntotal),
        "megabytes": round(size / 2**20, 1),
        "search_ms_k10": latency(index, queries, RECALL_AT),
        "search_ms_k1000": latency(index, queries, min(DENSE_DEPTH, index.ntotal)),
        "recall@10": 1.0 if truth is None else recall(index, queries, truth),
        "chosen": chosen,
    }


def sweep(index, target, parameter: str, values, queries: np.ndarray, truth: np.ndarray) -> list[dict]:
    """Latency and recall for each value of one search parameter (nprobe, efSearch); restored after."""
    saved, rows = getattr(target, parameter), []
    for value in values:
        setattr(target, parameter, value)
        rows.append({parameter: value, "p50_ms": latency(index, queries, RECALL_AT)["p50"],
                     "recall@10": recall(index, queries, truth)})
    setattr(target, parameter, saved)
    return rows


def timed(make):
    started = time.perf_counter()
    index = make()
    return index, time.perf_counter() - started


def compare_indexes(vectors: np.ndarray, queries: np.ndarray) -> list[dict]:
    """Exact, IVF (as the product builds it) and HNSW over the same vectors and questions."""
    import faiss

    spec = dense_index.choose(len(vectors))
    flat, seconds = timed(lambda: dense_index.build(vectors, dense_index.DenseSpec("flat")))
    _, truth = flat.search(queries, RECALL_AT)
    rows = [measure("exact (flat)", flat, seconds, queries, None, spec.kind == "flat")]
    del flat

    ivf_spec = spec if spec.kind == "ivf" else dense_index.choose(len(vectors), exact_limit=0)
    ivf, seconds = timed(lambda: dense_index.build(vectors, ivf_spec))
    rows.append(measure(f"IVF nlist={ivf_spec.nlist} nprobe={ivf_spec.nprobe}", ivf, seconds, queries, truth,
                        spec.kind == "ivf"))
    rows[-1]["sweep"] = sweep(ivf, faiss.extract_index_ivf(ivf), "nprobe", NPROBE_SWEEP, queries, truth)
    del ivf

    def hnsw():
        index = faiss.IndexHNSWFlat(vectors.shape[1], HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = 64
        index.add(vectors)
        return index

    graph, seconds = timed(hnsw)
    rows.append(measure(f"HNSW M={HNSW_M} efSearch=64", graph, seconds, queries, truth, False))
    rows[-1]["sweep"] = sweep(graph, graph.hnsw, "efSearch", HNSW_EF_SEARCH, queries, truth)
    return rows


def python_bytes(passages: list, sample: int = 1000) -> int:
    """Memory of the Passage objects with their strings and tuples, estimated from a sample."""
    chosen = passages[:: max(1, len(passages) // sample)]
    each = [sys.getsizeof(p) + sum(sys.getsizeof(v) for v in vars(p).values())
            + sum(sys.getsizeof(x) for x in p.section) for p in chosen]
    return int(sum(each) / len(each) * len(passages))


def memory(data: IndexData) -> dict[str, int]:
    """What the loaded index holds in memory, part by part (the passage vectors live in the faiss index)."""
    lexical = data.lexical.weights
    parts = {
        "faiss index": index_bytes(data.dense),
        "sentence vectors": sum(a.nbytes for a in (data.sentence_vectors, data.sentence_owner, data.sentence_spans,
                                                   data.sentence_start)),
        "BM25": sum(a.nbytes for a in (lexical.data, lexical.indices, lexical.indptr, data.lexical.idf)),
        "passages": python_bytes(data.passages),
    }
    return parts | {"total": sum(parts.values())}


class PrecomputedQueries:
    """Stands in for the embedder in the pipeline timing, so that only the search itself is timed.

    A comparison question also embeds each of its topics ("海外展開の"), texts that are not known
    in advance; those are embedded by the real model on first sight and kept, and the pipeline is
    run once untimed before the timed pass so that no timing includes the model.
    """

    def __init__(self, embedder, questions: list[str], vectors: np.ndarray):
        self.name, self.fingerprint, self.dim = embedder.name, embedder.fingerprint, embedder.dim
        self.embedder = embedder
        self.by_text = dict(zip(questions, vectors))

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        unseen = [t for t in dict.fromkeys(texts) if t not in self.by_text]
        if unseen:
            self.by_text.update(zip(unseen, self.embedder.encode_queries(unseen).astype(np.float32)))
        return np.stack([self.by_text[t] for t in texts])


def pipeline_on(service: SummitIndex, documents, passages, contexts, sentence_table, vectors,
                questions: list[str], query_vectors: np.ndarray) -> dict:
    """The whole search and answer (filters, BM25, sentences, excerpts) on the synthetic corpus."""
    owner, spans, sentence_vectors = sentence_table
    data = IndexData(version="synthetic", manifest={}, documents=documents, passages=passages, vectors=vectors,
                     dense=dense_index.build(vectors), sentence_owner=owner, sentence_spans=spans,
                     sentence_vectors=sentence_vectors, lexical=LexicalIndex.build([tokenize(c) for c in contexts]))
    pipeline = Pipeline(data, PrecomputedQueries(service.embedder, questions, query_vectors), service.pipeline.analyzer)
    links = LinkMaker("https://summit.example.jp")
    for question in questions:  # the untimed pass: embeds the topics of comparison questions
        pipeline.answer(question, link=links)
    search_times, answer_times = [], []
    for question in questions:
        started = time.perf_counter()
        pipeline.rank(pipeline.analyse(question))
        search_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        pipeline.answer(question, link=links)
        answer_times.append(time.perf_counter() - started)
    return {
        "passages": len(passages),
        "sentences": len(owner),
        "search_ms": summary_ms(search_times),
        "answer_ms": summary_ms(answer_times),
        "memory_per_passage_bytes": {part: round(size / len(passages)) for part, size in memory(data).items()},
    }


def run(sizes: list[int], real: int, index_dir: Path | None = None, seed: int = 0,
        service: SummitIndex | None = None) -> dict:
    """Every size against every index; `service` (else the index in `index_dir`) supplies the real corpus."""
    settings = Settings.from_env()
    service = service or SummitIndex.open(replace(settings, index_dir=index_dir) if index_dir else settings)
    questions = eval_questions()
    query_vectors = service.embedder.encode_queries(questions).astype(np.float32)
    documents, passages, contexts, sentence_table = synthetic_corpus(service.data, real, seed)
    seeds, embed_seconds, cached = embed_cached(service.embedder, contexts)
    rng = np.random.default_rng(seed)
    basis = seeds[rng.choice(len(seeds), min(len(seeds), 4000), replace=False)]  # the noise's covariance
    eta, neighbour = noise_scale(seeds, basis, rng)
    result = {
        "machine": machine(),
        "model": service.embedder.name,
        "queries": len(questions),
        "exact_limit": dense_index.EXACT_LIMIT,
        "real_embedded": {"passages": real, "embedding_s": round(embed_seconds, 1),
                          "passages_per_s": round(real / embed_seconds, 1), "from_cache": cached},
        "synthetic": {"noise_scale": round(eta, 3), "median_nearest_neighbour_cosine": round(neighbour, 3)},
        "sizes": [],
    }
    for size in sizes:
        print(f"— {size:,} passages", flush=True)
        vectors = seeds[:size] if size <= real else np.vstack([seeds, synthetic_vectors(seeds, basis, size - real, eta, rng)])
        entry = {"passages": size, "vectors": "real" if size <= real else "synthetic",
                 "indexes": compare_indexes(vectors, query_vectors)}
        if size <= real:
            entry["pipeline"] = pipeline_on(service, documents, passages[:size], contexts[:size],
                                            _first_sentences(sentence_table, size), vectors, questions, query_vectors)
        result["sizes"].append(entry)
        del vectors
    return result


def _first_sentences(table, count: int):
    owner, spans, vectors = table
    keep = owner < count
    return owner[keep], spans[keep], vectors[keep]


def markdown(result: dict) -> str:
    lines = [
        (f"Exact search up to {result['exact_limit']:,} passages, IVF beyond (index/vectors.py). "
         f"{result['queries']} questions, one at a time; recall@10 against exact search. "
         f"Real-embedded corpus: {result['real_embedded']['passages']:,} passages; larger ones synthetic."),
        "",
        "| passages | index | build s | bytes/passage | p50 ms (k=10) | p95 ms | p50 ms (k=1000) | recall@10 | used |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for entry in result["sizes"]:
        for row in entry["indexes"]:
            lines.append(
                f"| {entry['passages']:,} ({entry['vectors']}) | {row['index']} | {row['build_s']} | "
                f"{row['bytes_per_passage']:,} | {row['search_ms_k10']['p50']} | {row['search_ms_k10']['p95']} | "
                f"{row['search_ms_k1000']['p50']} | {row['recall@10']:.3f} | {'✓' if row['chosen'] else ''} |"
            )
    lines += ["", "Search parameter against speed and recall (p50 ms at k=10 / recall@10):", "",
              "| passages | index | settings |", "|---|---|---|"]
    for entry in result["sizes"]:
        for row in entry["indexes"]:
            if "sweep" not in row:
                continue
            name = next(k for k in row["sweep"][0] if k not in ("p50_ms", "recall@10"))
            cells = ", ".join(f"{name} {s[name]}: {s['p50_ms']} / {s['recall@10']:.3f}" for s in row["sweep"])
            lines.append(f"| {entry['passages']:,} | {row['index'].split()[0]} | {cells} |")
    for entry in result["sizes"]:
        if "pipeline" in entry:
            p = entry["pipeline"]
            per_passage = p["memory_per_passage_bytes"]
            parts = ", ".join(f"{part} {size:,} B" for part, size in per_passage.items() if part != "total")
            lines += ["", (
                f"Whole pipeline on the {p['passages']:,}-passage real-embedded corpus, query embedding excluded: "
                f"search p50 {p['search_ms']['p50']} ms (p95 {p['search_ms']['p95']}), search and answer p50 "
                f"{p['answer_ms']['p50']} ms (p95 {p['answer_ms']['p95']}). Memory per passage "
                f"{per_passage['total']:,} B ({parts}): about {per_passage['total'] / 1000:.1f} GB per million passages."
            )]
    return "\n".join(lines) + "\n"


def main() -> None:
    def arguments(parser) -> None:
        parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
        parser.add_argument("--real", type=int, default=10_000, help="passages embedded with the real model")

    standalone("scale", __doc__, lambda args: run(sorted(args.sizes), args.real), markdown, arguments)


if __name__ == "__main__":
    main()
