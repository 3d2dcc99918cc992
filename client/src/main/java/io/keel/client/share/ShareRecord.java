package io.keel.client.share;

import io.keel.client.ConsumerRecord;

/**
 * A record delivered to a share consumer: the record, how many times it has been delivered (1 the
 * first time) and when its acquisition lock ends (broker clock, ms since the epoch).
 */
public record ShareRecord<K, V>(
    ConsumerRecord<K, V> record, int deliveryCount, long lockDeadlineMs) {}
