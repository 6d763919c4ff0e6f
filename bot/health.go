package bot

// Connected reports whether the gateway session is connected and has
// received READY: the readiness check of `briefbot serve`.
func (b *Bot) Connected() bool {
	b.s.RLock()
	defer b.s.RUnlock()
	return b.s.DataReady
}
