"""Haven: self-hostable workplace peer support that prevents bullying."""
