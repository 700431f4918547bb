// Every error code has one wire name and one HTTP status, chosen in one place: a client can
// rely on both, and no code falls through to a default.
#include "error.h"
#include "http/httpstatus.h"

#include <QRegularExpression>
#include <QSet>
#include <QTest>

using namespace countersign;

class TestErrors final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void everyCodeHasItsOwnNameAndAStatus()
    {
        static const QRegularExpression SNAKE(QStringLiteral("^[a-z]+(_[a-z]+)*$"));
        QSet<QString> names;
        for (int i = int(ErrorCode::InvalidArgument); i <= int(ErrorCode::Unavailable); ++i) {
            const auto code = static_cast<ErrorCode>(i);
            const QString name = errorCodeName(code);
            QVERIFY2(SNAKE.match(name).hasMatch(), qPrintable(QStringLiteral("%1: '%2'").arg(i).arg(name)));
            QVERIFY2(!names.contains(name), qPrintable(name));
            names.insert(name);
            const int status = http::statusFor(code);
            QVERIFY2(status >= 400 && status < 600, qPrintable(name));
            QVERIFY(!http::reasonPhrase(status).isEmpty());
        }
        // The client's faults are 4xx, the server's 5xx.
        for (ErrorCode code : {ErrorCode::InvalidArgument, ErrorCode::Unauthenticated, ErrorCode::PermissionDenied,
                               ErrorCode::NotFound, ErrorCode::Conflict, ErrorCode::Expired, ErrorCode::Revoked,
                               ErrorCode::DigestMismatch, ErrorCode::RateLimited, ErrorCode::PayloadTooLarge})
            QVERIFY(http::statusFor(code) < 500);
        for (ErrorCode code : {ErrorCode::Storage, ErrorCode::Io, ErrorCode::Crypto, ErrorCode::Integrity})
            QVERIFY(http::statusFor(code) >= 500);
    }
};

QTEST_GUILESS_MAIN(TestErrors)
#include "tst_errors.moc"
