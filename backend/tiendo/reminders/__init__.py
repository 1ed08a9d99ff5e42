"""Reminders that reach people: who is reminded of what and when (schedule), through which
channel (e-mail, Zalo ZNS, SMS, webhooks), and a ledger so that nothing is sent twice."""
