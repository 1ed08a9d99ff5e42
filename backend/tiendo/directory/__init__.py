"""Units and users from a spreadsheet: templates, and imports through the same services as
the API (tiendo.units.service, tiendo.auth.service), answered with a DHIS2-style summary."""
