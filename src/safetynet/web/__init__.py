"""The web app: GOV.UK Frontend + MoJ Frontend layout, screens, htmx partials, static assets."""
