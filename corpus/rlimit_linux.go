package corpus

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// limitMemory caps the address space of process pid at what it holds now
// plus budget (never above its current limit). The Go runtime reserves
// address space it may never touch, so a fixed limit would depend on the
// Go version and the race detector; a budget over the start does not.
func limitMemory(pid int, budget int64) error {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return err
	}
	var size int64
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmSize:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return fmt.Errorf("read VmSize %q: %w", v, err)
			}
			size = kb << 10
		}
	}
	var old unix.Rlimit
	if err := unix.Prlimit(pid, unix.RLIMIT_AS, nil, &old); err != nil {
		return err
	}
	lim := uint64(size + budget)
	if old.Max != unix.RLIM_INFINITY && lim > old.Max {
		lim = old.Max
	}
	return unix.Prlimit(pid, unix.RLIMIT_AS, &unix.Rlimit{Cur: lim, Max: lim}, nil)
}
