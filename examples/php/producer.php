<?php
// The web application's side of the articles: put a burst of tasks into the queue.
// usage: php producer.php BASE_URL TOPIC COUNT
// Prints one JSON line: how many tasks were stored, and the offsets per partition.

declare(strict_types=1);
require __DIR__ . '/keel.php';

[$script, $baseUrl, $topic, $count] = $argv + [null, 'http://127.0.0.1:9191', 'tasks', '10'];
$keel = new Keel($baseUrl);
$records = [];
for ($i = 0; $i < (int) $count; $i++) {
    // Keyed by task id: one task always lands on the same partition.
    $records[] = ['key' => "task-$i", 'value' => ['task' => $i, 'work' => 'square', 'n' => $i]];
}
$stored = [];
foreach (array_chunk($records, 100) as $chunk) {
    foreach ($keel->produce($topic, $chunk)['records'] as $r) {
        $stored[$r['partition']][] = $r['offset'];
    }
}
ksort($stored);
echo json_encode(['stored' => count($records), 'offsets' => $stored]), "\n";
