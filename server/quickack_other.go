//go:build !linux

package server

const quickAckSupported = false

func setQuickAck(uintptr) {}
