<?php
// Creates the examples' topics; an existing topic is fine.
// usage: php create-topics.php BASE_URL TOPIC PARTITIONS [TOPIC PARTITIONS]...

declare(strict_types=1);
require __DIR__ . '/keel.php';

$keel = new Keel($argv[1] ?? 'http://127.0.0.1:9191');
for ($i = 2; $i + 1 < count($argv); $i += 2) {
    try {
        $keel->createTopic($argv[$i], (int) $argv[$i + 1]);
    } catch (KeelError $e) {
        if ($e->status !== 409) {
            throw $e;
        }
    }
    // Wait until every partition has a leader: produce may follow at once.
    for ($tries = 0; $tries < 100; $tries++) {
        $t = json_decode(file_get_contents(($argv[1] ?? 'http://127.0.0.1:9191') . '/v1/topics/' . rawurlencode($argv[$i])), true);
        if (count(array_filter($t['partitions'], fn($p) => $p['leader'] > 0)) === (int) $argv[$i + 1]) {
            break;
        }
        usleep(100000);
    }
    echo "topic {$argv[$i]} ready\n";
}
