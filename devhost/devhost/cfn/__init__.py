"""The generic CloudFormation parts of reading a template: the document (cfn-lint's decoder,
SAM's Globals merge), parameters and their constraints, and intrinsic functions. Nothing in
here knows about Lambda or API Gateway; ``devhost.template`` builds the host's model on it."""
