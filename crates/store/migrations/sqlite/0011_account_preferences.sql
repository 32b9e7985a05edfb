-- An account's display preferences: the interface language its holder reads ('zh' or 'en').
-- No row, or a NULL language: no choice made, and the browser's Accept-Language decides.
CREATE TABLE account_preferences (
    account_id BIGINT PRIMARY KEY REFERENCES accounts (id),
    lang TEXT CHECK (lang IN ('zh', 'en'))
);
