package main

import "context"

func runEval(ctx context.Context, cfg Config, args []string, std stdio) error { return nil }
