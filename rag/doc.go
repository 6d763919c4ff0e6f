// Package rag turns a question into an answer with verified citations:
// embedding (a local, offline embedder by default, or any OpenAI-compatible
// API), hybrid retrieval (chromem-go vectors fused with a BM25 keyword
// ranking), and answering (extractive sentences, or an LLM whose quotes are
// checked against the stored text before anyone sees them).
//
// rag builds on corpus, which owns the durable store; the vector and keyword
// indexes here are caches rebuilt from it.
package rag
