"""Browser views, by page group: the home page per role, the assessment form, the assessment page, lists.

Thin: parse input with a form, call a selector or a service, render. Every view
loads the assessment through the selectors (404 when the user may not see it)
and every change goes through a service, which checks permission on the object;
domain errors become a page with the reason and a 4xx status.

- ``common``: the problem page, the page size and the listing columns, shared by every group;
- ``home``: the team's, the reviewer's and the auditor's parts of the home page (composed in ``committee.home``);
- ``lists``: the assessment list and the audit trail;
- ``form``: a new assessment, editing its answers, the live preview;
- ``detail``: the assessment page, its transitions and comments on answers;
- ``bias``: bias evidence (upload, rows, justifications, mitigations) and its part of the assessment page;
- ``conditions``: a condition met, confirmed or reopened.
"""
