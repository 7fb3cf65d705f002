"""HTTP/1.1 transport: requests parsed by llhttp (Node.js's parser, through ``httptools``),
responses written by hand. Shared by the front server and each environment's Runtime API."""
