"""The public register, without login: is a REX or EORI number valid, and what did its holder agree to publish."""
