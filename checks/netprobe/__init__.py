"""Network probes without Qt: STUN, LibreSpeed, speedtest.net, connectivity, platform reachability."""
