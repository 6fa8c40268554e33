/* Functions that lock two table collections must not deadlock.
 *
 * tspar_tables_equals(a, b) read-locks both handles. A reader-writer lock
 * blocks new readers while a writer waits, so if equals(a, b) took a then b
 * and equals(b, a) took b then a, two comparing threads and two writers
 * (one on each handle) could each wait on the next: a cycle. The library
 * locks the two handles in one global order, so this test finishes.
 * equals(a, a) must not deadlock either (a read lock taken twice on one
 * thread hangs when a writer waits in between). A watchdog thread fails
 * the test (exit 2) when no call has finished for STALL_SECONDS.
 *
 * usage: test_lock_order [ROUNDS] */
#define _XOPEN_SOURCE 700
#include <pthread.h>
#include <unistd.h>

#include "check.h"

/* The watchdog fails the test when neither comparing thread has finished
 * a call for this long; a run without deadlock never comes near it. */
#define STALL_SECONDS 20
/* The writers keep each table below this many nodes, so every equals call
 * stays short and the threads meet on the locks often. */
#define MAX_ROWS 64

static tspar_tables_t *a;
static tspar_tables_t *b;
/* Enough rounds that the old lock order (a then b) deadlocked in every
 * run tried on a 2-core machine. */
static long rounds = 200000;
/* Progress, under `progress_lock`: calls finished by the comparing threads
 * and how many of those threads are done. */
static pthread_mutex_t progress_lock = PTHREAD_MUTEX_INITIALIZER;
static long calls_done;
static int comparers_done;

static int finished(void)
{
    int done;
    pthread_mutex_lock(&progress_lock);
    done = comparers_done == 2;
    pthread_mutex_unlock(&progress_lock);
    return done;
}

/* Fails the test (exit 2) if the comparing threads stop making progress. */
static void *watchdog(void *arg)
{
    long last = -1;
    int stalled = 0;
    (void) arg;
    while (!finished()) {
        long now;
        sleep(1);
        pthread_mutex_lock(&progress_lock);
        now = calls_done;
        pthread_mutex_unlock(&progress_lock);
        stalled = now == last ? stalled + 1 : 0;
        last = now;
        if (stalled >= STALL_SECONDS) {
            fprintf(stderr, "test_lock_order: no equals call finished in %d s after %ld calls: deadlock\n",
                STALL_SECONDS, now);
            _exit(2);
        }
    }
    return NULL;
}

/* Compares `x` with `y` (and, every few rounds, each with itself). */
static void *compare(void *arg)
{
    int forward = *(const int *) arg;
    tspar_tables_t *x = forward ? a : b;
    tspar_tables_t *y = forward ? b : a;
    long j;
    for (j = 0; j < rounds; j++) {
        int r = tspar_tables_equals(x, y, 0);
        CHECK(r == 0 || r == 1);
        if (j % 16 == 0) {
            CHECK_EQ(tspar_tables_equals(x, x, 0), 1);
        }
        if (j % 256 == 255) {
            pthread_mutex_lock(&progress_lock);
            calls_done += 256;
            pthread_mutex_unlock(&progress_lock);
        }
    }
    pthread_mutex_lock(&progress_lock);
    comparers_done++;
    pthread_mutex_unlock(&progress_lock);
    return NULL;
}

/* Adds nodes to one handle until the comparers are done, clearing it now
 * and then so that it stays small. */
static void *write_rows(void *arg)
{
    tspar_tables_t *t = arg;
    long k = 0;
    while (!finished()) {
        tspar_id_t id = tspar_tables_add_node(t, 0, (double) k, TSPAR_NULL, TSPAR_NULL, NULL, 0);
        CHECK(id >= 0);
        if (id + 1 >= MAX_ROWS) {
            CHECK_OK(tspar_tables_clear(t, 0));
        }
        k++;
    }
    return NULL;
}

int main(int argc, char **argv)
{
    pthread_t threads[4], dog;
    int forward = 1, backward = 0;
    int j;
    if (argc > 1) {
        rounds = atol(argv[1]);
        CHECK(rounds > 0);
    }
    CHECK_OK(tspar_tables_new(10.0, &a));
    CHECK_OK(tspar_tables_new(10.0, &b));
    /* A handle passed twice, with nothing else going on. */
    CHECK_EQ(tspar_tables_equals(a, a, 0), 1);
    CHECK_EQ(tspar_tables_equals(a, b, 0), 1);

    CHECK(pthread_create(&dog, NULL, watchdog, NULL) == 0);
    CHECK(pthread_create(&threads[0], NULL, write_rows, a) == 0);
    CHECK(pthread_create(&threads[1], NULL, write_rows, b) == 0);
    CHECK(pthread_create(&threads[2], NULL, compare, &forward) == 0);
    CHECK(pthread_create(&threads[3], NULL, compare, &backward) == 0);
    for (j = 0; j < 4; j++) {
        CHECK(pthread_join(threads[j], NULL) == 0);
    }
    CHECK(pthread_join(dog, NULL) == 0);

    /* Both still usable, and equal once cleared. */
    CHECK_OK(tspar_tables_clear(a, 0));
    CHECK_OK(tspar_tables_clear(b, 0));
    CHECK_EQ(tspar_tables_equals(b, a, 0), 1);
    tspar_tables_free(a);
    tspar_tables_free(b);
    printf("test_lock_order: ok (%ld rounds of equals in each order)\n", rounds);
    return 0;
}
