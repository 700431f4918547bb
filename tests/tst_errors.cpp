// Every error code, and every refusal of the transport's own, has one wire name and one HTTP
// status, chosen in one place each: a client can rely on both, and no code falls through to a
// default. The expected values are written out here, one row per code, rather than derived from
// the mapping under test.
#include "api/statusmap.h"
#include "error.h"
#include "http/httpstatus.h"
#include "http/transporterror.h"

#include <QSet>
#include <QTest>

using namespace countersign;

Q_DECLARE_METATYPE(countersign::ErrorCode)
Q_DECLARE_METATYPE(countersign::http::TransportError)

namespace {

struct Expected final {
    ErrorCode code;
    const char* name;
    int status;
};

// One row per code, in declaration order. A code added to ErrorCode without a row here fails
// everyCodeIsListed(); a row whose name or status drifts fails nameAndStatus().
const Expected EXPECTED[] = {
    {ErrorCode::InvalidArgument, "invalid_argument", 400},
    {ErrorCode::NotFound, "not_found", 404},
    {ErrorCode::AlreadyExists, "already_exists", 409},
    {ErrorCode::WrongPassphrase, "wrong_passphrase", 401},
    {ErrorCode::WeakPassphrase, "weak_passphrase", 400},
    {ErrorCode::NotEncrypted, "not_encrypted", 500},
    {ErrorCode::UnsupportedSchema, "unsupported_schema", 500},
    {ErrorCode::Storage, "storage", 500},
    {ErrorCode::Crypto, "crypto", 500},
    {ErrorCode::Io, "io", 500},
    {ErrorCode::Integrity, "integrity", 500},
    {ErrorCode::Unauthenticated, "unauthenticated", 401},
    {ErrorCode::PermissionDenied, "permission_denied", 403},
    {ErrorCode::NotApproved, "not_approved", 403},
    {ErrorCode::Conflict, "conflict", 409},
    {ErrorCode::AlreadyConsumed, "already_consumed", 409},
    {ErrorCode::Expired, "expired", 410},
    {ErrorCode::Revoked, "revoked", 410},
    {ErrorCode::DigestMismatch, "digest_mismatch", 422},
    {ErrorCode::PayloadTooLarge, "payload_too_large", 413},
    {ErrorCode::Unavailable, "unavailable", 503},
};

struct ExpectedRefusal final {
    http::TransportError error;
    const char* name;
    int status;
};

// The transport's own refusals, likewise one row per code in declaration order. The generic
// ones share their wire name with the domain's code of the same meaning: a client reads one
// vocabulary whichever layer refused.
const ExpectedRefusal EXPECTED_REFUSALS[] = {
    {http::TransportError::BadRequest, "invalid_argument", 400},
    {http::TransportError::PayloadTooLarge, "payload_too_large", 413},
    {http::TransportError::HeadersTooLarge, "headers_too_large", 431},
    {http::TransportError::UnsupportedMediaType, "unsupported_media_type", 415},
    {http::TransportError::MisdirectedRequest, "misdirected_request", 421},
    {http::TransportError::OriginForbidden, "origin_forbidden", 403},
    {http::TransportError::MethodNotAllowed, "method_not_allowed", 405},
    {http::TransportError::RequestTimeout, "request_timeout", 408},
    {http::TransportError::RateLimited, "rate_limited", 429},
    {http::TransportError::LockedOut, "locked_out", 429},
    {http::TransportError::Unavailable, "unavailable", 503},
};

} // namespace

class TestErrors final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void nameAndStatus_data()
    {
        QTest::addColumn<ErrorCode>("code");
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("status");
        for (const Expected& row : EXPECTED)
            QTest::newRow(row.name) << row.code << QString::fromLatin1(row.name) << row.status;
    }
    void nameAndStatus()
    {
        QFETCH(ErrorCode, code);
        QFETCH(QString, name);
        QFETCH(int, status);
        QCOMPARE(errorCodeName(code), name);
        QCOMPARE(api::statusFor(code), status);
    }

    void everyCodeIsListed()
    {
        // The rows follow the enum's declaration order from its first value, with no gap and no
        // repeated name, so together they are every code declared so far.
        QSet<QString> names;
        for (qsizetype i = 0; i < qsizetype(std::size(EXPECTED)); ++i) {
            QCOMPARE(int(EXPECTED[i].code), int(i));
            QVERIFY2(!names.contains(QLatin1String(EXPECTED[i].name)), EXPECTED[i].name);
            names.insert(QLatin1String(EXPECTED[i].name));
        }
        // errorCodeName switches over every declared code (-Wswitch makes a missing case an error
        // under COUNTERSIGN_WERROR) and says "unknown" only outside them: the value after the
        // last row must be outside, or a code was declared without a row here.
        const auto past = static_cast<ErrorCode>(int(std::size(EXPECTED)));
        QCOMPARE(errorCodeName(past), QStringLiteral("unknown"));
    }

    void refusalNameAndStatus_data()
    {
        QTest::addColumn<http::TransportError>("error");
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("status");
        for (const ExpectedRefusal& row : EXPECTED_REFUSALS)
            QTest::newRow(row.name) << row.error << QString::fromLatin1(row.name) << row.status;
    }
    void refusalNameAndStatus()
    {
        QFETCH(http::TransportError, error);
        QFETCH(QString, name);
        QFETCH(int, status);
        QCOMPARE(http::transportErrorName(error), name);
        QCOMPARE(http::transportErrorStatus(error), status);
    }

    void everyRefusalIsListed()
    {
        for (qsizetype i = 0; i < qsizetype(std::size(EXPECTED_REFUSALS)); ++i)
            QCOMPARE(int(EXPECTED_REFUSALS[i].error), int(i));
        const auto past = static_cast<http::TransportError>(int(std::size(EXPECTED_REFUSALS)));
        QCOMPARE(http::transportErrorName(past), QStringLiteral("unknown"));
    }

    void reasonPhrases_data()
    {
        // RFC 9110 section 15: the reason phrase of each status the endpoint sends.
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("phrase");
        const std::pair<int, const char*> rows[] = {{200, "OK"},
                                                    {201, "Created"},
                                                    {400, "Bad Request"},
                                                    {401, "Unauthorized"},
                                                    {403, "Forbidden"},
                                                    {404, "Not Found"},
                                                    {405, "Method Not Allowed"},
                                                    {408, "Request Timeout"},
                                                    {409, "Conflict"},
                                                    {410, "Gone"},
                                                    {413, "Content Too Large"},
                                                    {415, "Unsupported Media Type"},
                                                    {421, "Misdirected Request"},
                                                    {422, "Unprocessable Content"},
                                                    {429, "Too Many Requests"},
                                                    {431, "Request Header Fields Too Large"},
                                                    {500, "Internal Server Error"},
                                                    {503, "Service Unavailable"}};
        for (const auto& [status, phrase] : rows)
            QTest::newRow(qPrintable(QString::number(status))) << status << QByteArray(phrase);
    }
    void reasonPhrases()
    {
        QFETCH(int, status);
        QFETCH(QByteArray, phrase);
        QCOMPARE(http::reasonPhrase(status), phrase);
    }
};

QTEST_GUILESS_MAIN(TestErrors)
#include "tst_errors.moc"
