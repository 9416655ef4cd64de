"""The platform-neutral engine: events, detectors, rules, policy and approvals."""
