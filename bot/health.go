package bot

// Connected reports whether every shard's gateway session is connected
// and has received READY: the readiness check of `briefbot serve`.
func (b *Bot) Connected() bool {
	for _, s := range b.sessions() {
		s.RLock()
		ready := s.DataReady
		s.RUnlock()
		if !ready {
			return false
		}
	}
	return true
}
