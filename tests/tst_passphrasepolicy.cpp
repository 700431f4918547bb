#include "crypto/passphrasepolicy.h"

#include <QTest>

using namespace countersign::crypto;

class TestPassphrasePolicy final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void refuses_data()
    {
        QTest::addColumn<QString>("passphrase");
        QTest::addColumn<QString>("reasonFragment");
        QTest::newRow("empty") << QString() << QStringLiteral("enter");
        QTest::newRow("short") << QStringLiteral("Xy7!q") << QStringLiteral("too short");
        QTest::newRow("common") << QStringLiteral("Password12345") << QStringLiteral("too common");
        QTest::newRow("repeats") << QStringLiteral("aaaaaaaaaaaaaaaaaa") << QStringLiteral("too predictable");
        QTest::newRow("runs") << QStringLiteral("abcdefghijklmnop") << QStringLiteral("too predictable");
        QTest::newRow("keyboard") << QStringLiteral("qwertyuiop123456") << QStringLiteral("too");
        // Long enough, and many kinds of characters, but guessed from dictionaries and patterns.
        QTest::newRow("a common word thrice")
            << QStringLiteral("password password password") << QStringLiteral("too common");
        QTest::newRow("a common password twice") << QStringLiteral("Password1Password1") << QStringLiteral("too");
        QTest::newRow("season and year twice") << QStringLiteral("Summer2026!Summer2026!") << QStringLiteral("too");
        QTest::newRow("three famous words") << QStringLiteral("correct horse battery") << QStringLiteral("too common");
    }
    void refuses()
    {
        QFETCH(QString, passphrase);
        QFETCH(QString, reasonFragment);
        const PassphraseAssessment result = assessPassphrase(passphrase);
        QVERIFY2(!result.acceptable, qPrintable(passphrase));
        QVERIFY2(result.reason.contains(reasonFragment), qPrintable(result.reason));
        QVERIFY(result.score <= 1);
    }

    void accepts_data()
    {
        QTest::addColumn<QString>("passphrase");
        QTest::newRow("four words") << QStringLiteral("correct horse battery staple");
        QTest::newRow("mixed") << QStringLiteral("R7#kd!vQ2m@pLx");
        QTest::newRow("non-latin") << QStringLiteral("日本語のパスフレーズです");
    }
    void accepts()
    {
        QFETCH(QString, passphrase);
        const PassphraseAssessment result = assessPassphrase(passphrase);
        QVERIFY2(result.acceptable, qPrintable(result.reason));
        QVERIFY(result.reason.isEmpty());
        QVERIFY(result.score >= 3);
        QVERIFY(result.entropyBits >= MIN_PASSPHRASE_BITS);
    }

    void theOwnersNameCountsAsAGuess()
    {
        const QString passphrase = QStringLiteral("Grace Hopper Grace Hopper 1906");
        QVERIFY(assessPassphrase(passphrase).acceptable); // strangers' names are just words
        const PassphraseAssessment own = assessPassphrase(passphrase, {QStringLiteral("Grace Hopper")});
        QVERIFY(!own.acceptable);
        QVERIFY2(own.reason.contains(QStringLiteral("your name")), qPrintable(own.reason));
        QVERIFY(own.score <= 1);
        QVERIFY(!assessPassphrase(QStringLiteral("countersign countersign 2026")).acceptable);
    }

    void scoreGrowsWithLength()
    {
        const int weak = assessPassphrase(u"tiger lamp").score;
        const int strong = assessPassphrase(u"tiger lamp orbit violin meadow").score;
        QVERIFY(strong > weak);
    }
};

QTEST_GUILESS_MAIN(TestPassphrasePolicy)
#include "tst_passphrasepolicy.moc"
