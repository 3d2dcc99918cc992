<?php
// Request/reply over the log: send a request carrying a correlation id and this caller's reply
// address, then long-poll the reply partition for the answer. The reply partition belongs to
// this caller alone (here: given on the command line).
// usage: php caller.php BASE_URL TOPIC REPLY_TOPIC REPLY_PARTITION N TIMEOUT_MS
// Prints the reply's value as JSON, or exits 2 on timeout.

declare(strict_types=1);
require __DIR__ . '/keel.php';

[$script, $baseUrl, $topic, $replyTopic, $replyPartition, $n, $timeoutMs] =
    $argv + [null, 'http://127.0.0.1:9191', 'tasks', 'replies', '0', '7', '10000'];
$keel = new Keel($baseUrl);
// Where the replies to this request will start: the reply partition's current end.
$offset = $keel->fetch($replyTopic, (int) $replyPartition, 'latest', 0)['next_offset'];
$correlationId = bin2hex(random_bytes(16));
$deadline = (int) (microtime(true) * 1000) + (int) $timeoutMs;
$keel->produce($topic, [[
    'key' => "call-$correlationId",
    'value' => ['task' => "call-$correlationId", 'work' => 'square', 'n' => (int) $n],
    'headers' => [
        'keel.correlation.id' => $correlationId,
        'keel.reply.to' => "$replyTopic:$replyPartition",
        'keel.deadline.ms' => (string) $deadline,
    ],
]]);
while (($left = $deadline - (int) (microtime(true) * 1000)) > 0) {
    $page = $keel->fetch($replyTopic, (int) $replyPartition, $offset, min($left, 5000));
    foreach ($page['records'] as $reply) {
        if (($reply['headers']['keel.correlation.id'] ?? null) === $correlationId) {
            echo json_encode($reply['value']), "\n";
            exit(0);
        }
    }
    $offset = $page['next_offset']; // replies to other (earlier, timed-out) calls: skipped
}
fwrite(STDERR, "no reply within {$timeoutMs} ms\n");
exit(2);
