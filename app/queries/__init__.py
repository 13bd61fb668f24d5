"""Read-side queries shared by the faces (operator pages, back-office, certificates): one module per aggregate.
Each face scopes what it shows itself (app/workflow/access.py); these read what a page of one object needs."""
