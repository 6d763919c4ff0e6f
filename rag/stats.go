package rag

// PassagesByScope counts the indexed passages of each scope
// (corpus.GlobalScope is ""), for /metrics. It walks the index, which at
// 100k passages takes about a millisecond, so it is computed when scraped.
func (e *Engine) PassagesByScope() map[string]int {
	ix := e.index
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	out := make(map[string]int)
	for _, en := range ix.entries {
		if en.alive {
			out[en.article.Scope]++
		}
	}
	return out
}
