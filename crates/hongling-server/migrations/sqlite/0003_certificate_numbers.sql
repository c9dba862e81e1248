-- The last certificate sequence number handed out in each year (numbers restart yearly).
CREATE TABLE certificate_numbers (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);
