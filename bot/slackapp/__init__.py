"""The Slack plumbing: the Bolt app (app), what a request must be before it is read (inbound), the
middleware before every listener, the routing of requests to listeners, serving over HTTP or Socket
Mode (server), and the running process that holds it all together (runtime)."""
