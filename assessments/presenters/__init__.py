"""Turn assessments, answers and audit rows into what the browser pages show.

Pure functions over already-loaded objects: nothing here queries the database,
so a page's query count does not grow with what it displays.

- ``answers``: answers, the form's sections and live panel, risk and NIST tables, state and transition labels;
- ``review``: the review progress, the outcome banner, comment threads, sign-off rounds, a reviewer's diff;
- ``timeline``: the audit trail as readable events, and which reviewer comments are withheld from the team.
"""
