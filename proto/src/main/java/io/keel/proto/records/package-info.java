/**
 * Keel's record batch format v1 (docs/format.md, section "Record batch"): {@link
 * io.keel.proto.records.RecordBatchBuilder} writes batches, {@link
 * io.keel.proto.records.RecordBatch} reads and verifies them. Decoding never trusts a length or
 * count from the input: every malformed batch fails with {@link
 * io.keel.proto.records.CorruptRecordBatchException}.
 */
package io.keel.proto.records;
