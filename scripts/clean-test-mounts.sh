#!/usr/bin/env bash
# Detaches file systems that an earlier, interrupted run of the store fault tests left mounted
# (/tmp/switchboard-ext4-*, loop devices; see Tests/SwitchboardGatewayTests/LoopFilesystem.swift).
# A killed test process cannot unmount its own, and once the machine's loop devices are all held by
# such leftovers, the next run's mount fails. Only those test mount points are touched; nothing when
# not root. Run by `make test` before the tests.
set -u
[ "$(id -u)" -eq 0 ] || exit 0
grep -o ' /tmp/switchboard-ext4-[^ ]*' /proc/mounts 2>/dev/null | while read -r mountpoint; do
    umount -l "$mountpoint" 2>/dev/null && echo "detached a file system left by an earlier test run: $mountpoint" >&2
done
exit 0
