// FailureTable, the endpoint's memory of failed authentications: it counts per client in
// windows, locks a client out at the threshold, forgets what has expired, and never grows past
// its bound however many clients fail (addresses are free to an attacker, memory is not).
#include "http/failuretable.h"

#include <QTest>

using namespace countersign;

class TestFailureTable final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void locksOutAtTheThresholdWithinAWindow()
    {
        http::FailureTable table({3, 1000, 5000, 16});
        int retry = 0;
        QCOMPARE(table.record(QStringLiteral("a"), 0).inWindow, 1);
        QVERIFY(!table.record(QStringLiteral("a"), 10).lockedNow);
        QVERIFY(!table.isLockedOut(QStringLiteral("a"), 20, retry));
        QVERIFY(table.record(QStringLiteral("a"), 30).lockedNow);
        QVERIFY(table.isLockedOut(QStringLiteral("a"), 40, retry));
        QCOMPARE(retry, 5); // (5030 - 40) ms, rounded up to seconds
        QVERIFY(!table.isLockedOut(QStringLiteral("b"), 40, retry));
        QVERIFY(!table.isLockedOut(QStringLiteral("a"), 5030, retry));
        // Failures spread over more than a window do not add up.
        QCOMPARE(table.record(QStringLiteral("c"), 0).inWindow, 1);
        QCOMPARE(table.record(QStringLiteral("c"), 999).inWindow, 2);
        QCOMPARE(table.record(QStringLiteral("c"), 1000).inWindow, 1);
    }

    void staysBoundedAndForgetsWhatExpired()
    {
        http::FailureTable table({3, 1000, 5000, 16});
        for (int i = 0; i < 3; ++i)
            (void)table.record(QStringLiteral("locked"), 0);
        for (int i = 0; i < 10'000; ++i)
            (void)table.record(QStringLiteral("rotating-%1").arg(i), i / 100);
        QVERIFY(table.size() <= 16);
        int retry = 0;
        QVERIFY2(table.isLockedOut(QStringLiteral("locked"), 200, retry), "a lockout in force is kept");
        table.prune(2000);
        QCOMPARE(table.size(), qsizetype{1}); // only the lockout, until it ends
        table.prune(6000);
        QCOMPARE(table.size(), qsizetype{0});
    }
};

QTEST_GUILESS_MAIN(TestFailureTable)
#include "tst_failuretable.moc"
