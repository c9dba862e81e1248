-- Who may fetch an attachment (issue 13, item 4): an account that can see a record naming
-- it, or a device that uploaded it while no record names it yet.

-- The attachments each live record names, kept by the push beside the record.
CREATE TABLE blob_refs (
    sha256 TEXT NOT NULL,
    kind   TEXT NOT NULL,
    id     TEXT NOT NULL,
    PRIMARY KEY (sha256, kind, id)
);
CREATE INDEX blob_refs_record ON blob_refs (kind, id);

-- Every device that uploaded an attachment (a second upload of the same bytes counts).
CREATE TABLE blob_uploaders (
    sha256    TEXT NOT NULL,
    device_id TEXT NOT NULL,
    PRIMARY KEY (sha256, device_id)
);

-- The daily quota sums what one account uploaded lately.
CREATE INDEX blobs_by_uploader ON blobs (account_id, created_at);

-- What the records already name (the fields hongling_core::blob::named_by reads).
INSERT OR IGNORE INTO blob_refs (sha256, kind, id)
SELECT json_extract(body, '$.photo'), kind, id FROM records
 WHERE deleted = 0 AND kind IN ('worker', 'certificate')
   AND json_type(body, '$.photo') = 'text';
INSERT OR IGNORE INTO blob_refs (sha256, kind, id)
SELECT json_extract(body, '$.scan'), kind, id FROM records
 WHERE deleted = 0 AND kind = 'honour' AND json_type(body, '$.scan') = 'text';
INSERT OR IGNORE INTO blob_refs (sha256, kind, id)
SELECT p.value, r.kind, r.id FROM records r, json_each(r.body, '$.photos') p
 WHERE r.deleted = 0 AND r.kind = 'visit' AND p.type = 'text';
