"""API Gateway's side of the host: the HTTP API's routes and payload format 2.0, the static
frontend (what CloudFront and S3 are on AWS), and the host's own ``/_host`` control API."""
