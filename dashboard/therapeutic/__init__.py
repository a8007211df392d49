"""The Therapeutic context page (`/therapeutic`): approvals, prescriptions, trials, claims."""
