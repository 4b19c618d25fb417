package org.concurrence.core;

import java.util.Arrays;

/**
 * A binary min-heap of {@link Timer}s that knows each timer's position, so that cancelling is O(log n) and leaves
 * nothing behind (a server that arms and cancels a read timeout per request must not grow a heap of dead timers).
 *
 * <p>Confined to one dispatcher's carrier thread; not thread-safe.
 */
final class TimerQueue {
    private Timer[] heap = new Timer[64];
    private int size;
    private long sequence;

    /** Queues a timer whose action is a {@link Runnable} to run or a {@link Thread} to unpark. */
    Timer schedule(long due, Object action) {
        Timer timer = new Timer(due, sequence++, action);
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        timer.heapIndex = size;
        heap[size++] = timer;
        siftUp(timer.heapIndex);
        return timer;
    }

    /** Removes {@code timer} if it is still queued; returns whether it was. */
    boolean cancel(Timer timer) {
        int index = timer.heapIndex;
        if (index < 0 || index >= size || heap[index] != timer) {
            return false;
        }
        removeAt(index);
        return true;
    }

    /** The earliest timer, or null. */
    Timer peek() {
        return size == 0 ? null : heap[0];
    }

    /** Removes and returns the earliest timer if it is due at {@code now}, else null. */
    Timer pollDue(long now) {
        if (size == 0 || heap[0].due > now) {
            return null;
        }
        Timer first = heap[0];
        removeAt(0);
        return first;
    }

    int size() {
        return size;
    }

    private void removeAt(int index) {
        Timer removed = heap[index];
        removed.heapIndex = -1;
        size--;
        if (index == size) {
            heap[size] = null;
            return;
        }
        Timer last = heap[size];
        heap[size] = null;
        heap[index] = last;
        last.heapIndex = index;
        siftDown(index);
        if (heap[index] == last) {
            siftUp(index);
        }
    }

    private void siftUp(int index) {
        Timer timer = heap[index];
        while (index > 0) {
            int parent = (index - 1) >>> 1;
            Timer above = heap[parent];
            if (!timer.firesBefore(above)) {
                break;
            }
            place(above, index);
            index = parent;
        }
        place(timer, index);
    }

    private void siftDown(int index) {
        Timer timer = heap[index];
        int half = size >>> 1;
        while (index < half) {
            int child = 2 * index + 1;
            int right = child + 1;
            if (right < size && heap[right].firesBefore(heap[child])) {
                child = right;
            }
            if (!heap[child].firesBefore(timer)) {
                break;
            }
            place(heap[child], index);
            index = child;
        }
        place(timer, index);
    }

    private void place(Timer timer, int index) {
        heap[index] = timer;
        timer.heapIndex = index;
    }
}
