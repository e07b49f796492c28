"""What a run is told from outside: a recruiter's profile, the network's servers, the kiosk's configuration and
PIN. All of it validated before use."""
