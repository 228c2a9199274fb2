"""Identity: who a person is and what they may be (roles as groups, sign-in and its limits).

The bottom layer: every app may import it; it imports none of them.
"""
