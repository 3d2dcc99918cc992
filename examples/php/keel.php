<?php
// A small client for Keel's HTTP/JSON API (docs/api.md), on the curl extension: topics, produce,
// fetch, consumer-group members, and share groups (task queues: sharePoll, shareAck, shareLeave).
// Every method returns the decoded JSON answer or throws KeelError with the HTTP status and
// Keel's error code. 429 and 503 (back-pressure, leader moving) are retried after Retry-After;
// a produce re-sends only the records whose partition failed.

declare(strict_types=1);

final class KeelError extends RuntimeException
{
    public function __construct(public readonly int $status, public readonly string $keelCode, string $message)
    {
        parent::__construct("HTTP $status $keelCode: $message");
    }
}

final class Keel
{
    private const RETRIES = 30;
    private $curl;

    public function __construct(private readonly string $baseUrl)
    {
        $this->curl = curl_init();
    }

    public function createTopic(string $name, int $partitions, int $replicationFactor = 3): array
    {
        return $this->call('POST', '/v1/topics', [
            'name' => $name, 'partitions' => $partitions, 'replication_factor' => $replicationFactor,
        ]);
    }

    /**
     * Each record: ['key' => ..., 'value' => ..., 'headers' => [...], 'partition' => n], and for
     * share groups 'delay_ms' => n or 'deliver_at_ms' => epoch ms (not delivered before).
     */
    public function produce(string $topic, array $records, string $format = 'json'): array
    {
        // A failed partition fails only its own records (each partition is one atomic batch), so a
        // retry re-sends just those: re-sending the whole request would store the others twice.
        $path = '/v1/topics/' . rawurlencode($topic) . '/records';
        $answer = ['topic' => $topic, 'records' => array_fill(0, count($records), null)];
        $pending = array_keys($records);
        for ($attempt = 0; ; $attempt++) {
            [$status, $headers, $json] = $this->send('POST', $path, [
                'format' => $format, 'records' => array_map(fn ($i) => $records[$i], $pending),
            ]);
            $failed = [];
            foreach ($pending as $j => $i) {
                $result = $json['records'][$j] ?? null; // none: the request failed before a partition
                $answer['records'][$i] = $result;
                if ($result === null || isset($result['error'])) {
                    $failed[] = $i;
                }
            }
            if ($failed === []) {
                return $answer;
            }
            if (!self::retriable($status) || $attempt >= self::RETRIES) {
                throw self::error($status, $json);
            }
            self::backOff($headers);
            $pending = $failed;
        }
    }

    /** $offset: a number, 'earliest' or 'latest'. Waits up to $waitMs for a record. */
    public function fetch(string $topic, int $partition, int|string $offset, int $waitMs, string $format = 'json'): array
    {
        $query = http_build_query(['offset' => $offset, 'max_wait_ms' => $waitMs, 'format' => $format]);
        return $this->call('GET', '/v1/topics/' . rawurlencode($topic) . "/partitions/$partition/records?$query");
    }

    public function joinGroup(string $group, array $topics, string $reset = 'earliest', int $sessionTimeoutMs = 10000): string
    {
        $r = $this->call('POST', $this->groupPath($group), [
            'topics' => $topics, 'auto_offset_reset' => $reset, 'session_timeout_ms' => $sessionTimeoutMs,
        ]);
        return $r['member_id'];
    }

    public function poll(string $group, string $member, int $waitMs, string $format = 'json'): array
    {
        $query = http_build_query(['max_wait_ms' => $waitMs, 'format' => $format]);
        return $this->call('GET', $this->groupPath($group) . '/' . rawurlencode($member) . "/records?$query")['records'];
    }

    /** Commits everything this member has been handed so far. */
    public function commit(string $group, string $member): array
    {
        return $this->call('POST', $this->groupPath($group) . '/' . rawurlencode($member) . '/commit');
    }

    public function leaveGroup(string $group, string $member): void
    {
        $this->call('DELETE', $this->groupPath($group) . '/' . rawurlencode($member));
    }

    /**
     * Takes up to $maxRecords records from a share group (a task queue), waiting up to $waitMs.
     * $member: null on the first poll (the broker picks an id), then the answer's member_id.
     * Answers ['member_id', 'joined', 'lock_duration_ms', 'records']; each record is this
     * member's until its lock_deadline_ms and carries its delivery_count (1 the first time).
     */
    public function sharePoll(string $group, array $topics, ?string $member, int $waitMs, int $maxRecords = 1, string $format = 'json'): array
    {
        $body = ['topics' => $topics, 'max_records' => $maxRecords, 'max_wait_ms' => $waitMs, 'format' => $format];
        if ($member !== null) {
            $body['member_id'] = $member;
        }
        return $this->call('POST', $this->sharePath($group) . '/poll', $body);
    }

    /** One acknowledgement of a polled record: 'accept', 'release', 'reject' or 'renew'. */
    public static function ack(array $record, string $type): array
    {
        return ['topic' => $record['topic'], 'partition' => $record['partition'], 'offset' => $record['offset'], 'type' => $type];
    }

    /**
     * Sends acknowledgements (see ack()); answers one result per acknowledgement, in order. A
     * refused one (lock expired, not held) has 'error' => ['code', 'message'] and changed nothing.
     */
    public function shareAck(string $group, string $member, array $acks): array
    {
        return $this->call('POST', $this->sharePath($group) . '/acks', ['member_id' => $member, 'acks' => $acks], true)['results'];
    }

    /** Leaves the share group: what the member still holds goes to the others at once. */
    public function shareLeave(string $group, string $member): void
    {
        $this->call('DELETE', $this->sharePath($group) . '/members/' . rawurlencode($member));
    }

    public function shareDescribe(string $group): array
    {
        return $this->call('GET', $this->sharePath($group));
    }

    private function sharePath(string $group): string
    {
        return '/v1/share-groups/' . rawurlencode($group);
    }

    private function groupPath(string $group): string
    {
        return '/v1/groups/' . rawurlencode($group) . '/members';
    }

    /** $perRecord: a 4xx that lists per-record 'results' is an answer, not an exception. */
    private function call(string $method, string $path, ?array $body = null, bool $perRecord = false): array
    {
        for ($attempt = 0; ; $attempt++) {
            [$status, $headers, $json] = $this->send($method, $path, $body);
            if (self::retriable($status) && $attempt < self::RETRIES) {
                self::backOff($headers);
                continue;
            }
            if ($status >= 400 && !($perRecord && $status < 500 && isset($json['results']))) {
                throw self::error($status, $json);
            }
            return $json;
        }
    }

    /** One request: [status, raw headers, decoded body]. */
    private function send(string $method, string $path, ?array $body): array
    {
        curl_setopt_array($this->curl, [
            CURLOPT_URL => $this->baseUrl . $path,
            CURLOPT_CUSTOMREQUEST => $method,
            CURLOPT_POSTFIELDS => $body === null ? '' : json_encode($body, JSON_THROW_ON_ERROR),
            CURLOPT_HTTPHEADER => ['Content-Type: application/json'],
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_HEADER => true,
            CURLOPT_CONNECTTIMEOUT => 5,
            CURLOPT_TIMEOUT => 45, // longer than the longest long poll (30 s)
        ]);
        $raw = curl_exec($this->curl);
        if ($raw === false) {
            throw new KeelError(0, 'NETWORK', curl_error($this->curl));
        }
        $status = curl_getinfo($this->curl, CURLINFO_RESPONSE_CODE);
        $headerBytes = curl_getinfo($this->curl, CURLINFO_HEADER_SIZE);
        $text = substr($raw, $headerBytes);
        $json = $text === '' ? [] : json_decode($text, true, 512, JSON_THROW_ON_ERROR);
        return [$status, substr($raw, 0, $headerBytes), $json];
    }

    private static function retriable(int $status): bool
    {
        return $status === 429 || $status === 503;
    }

    private static function backOff(string $headers): void
    {
        $wait = preg_match('/^Retry-After:\s*(\d+)/mi', $headers, $m) ? (int) $m[1] : 1;
        usleep(min($wait, 1) * 200000); // a fraction of Retry-After: the examples are impatient
    }

    private static function error(int $status, array $json): KeelError
    {
        return new KeelError($status, $json['error']['code'] ?? '?', $json['error']['message'] ?? json_encode($json));
    }
}
