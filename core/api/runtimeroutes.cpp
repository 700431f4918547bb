#include "runtimeroutes.h"

#include "answeraftercommit.h"
#include "approvals/runtimeapi.h"
#include "auditwire.h"
#include "http/httpconnection.h"
#include "http/httprequest.h"
#include "http/longpolls.h"
#include "json/fields.h"
#include "requestinput.h"
#include "requestwire.h"
#include "statusmap.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace countersign::api {

RuntimeRoutes::RuntimeRoutes(approvals::RuntimeApi& api, http::LongPolls& polls, AnswerAfterCommit& afterCommit,
                             int maxWaitSeconds)
    : m_api(api)
    , m_polls(polls)
    , m_afterCommit(afterCommit)
    , m_maxWaitSeconds(maxWaitSeconds)
{
}

std::optional<http::HttpResponse> RuntimeRoutes::serve(Route route, const http::HttpRequest& request,
                                                       http::HttpConnection& connection,
                                                       const approvals::RuntimeIdentity& runtime, const QString& id)
{
    switch (route) {
    case Route::CreateRequest: {
        auto body = jsonBody(request);
        if (!body)
            return body.error();
        return m_afterCommit.answer(connection, [this, runtime, body = std::move(*body),
                                                 key = QString::fromUtf8(request.header("idempotency-key"))] {
            auto result = m_api.createRequest(runtime, body, key);
            return answer(
                result, [](const auto& created) { return RequestWire::request(created.request); },
                result && result->created ? 201 : 200);
        });
    }
    case Route::ListRequests: {
        auto result = m_api.listRequests(runtime, QString::fromUtf8(request.queryValue("state")));
        if (!result)
            return errorResponse(result.error());
        QJsonArray requests;
        for (const approvals::Request& listed : std::as_const(*result))
            requests.append(RequestWire::request(listed));
        return http::HttpResponse::json(200, QJsonObject{{QStringLiteral("requests"), requests}});
    }
    case Route::GetRequest:
        return getRequest(request, connection, runtime, id);
    case Route::ConsumeRequest:
        return consume(request, connection, runtime, id);
    case Route::CancelRequest: {
        if (!request.body.isEmpty()) {
            auto body = jsonBody(request);
            if (!body)
                return body.error();
            if (!body->isEmpty())
                return errorResponse(Error{ErrorCode::InvalidArgument, QStringLiteral("cancel takes no fields")});
        }
        return m_afterCommit.answer(connection, [this, runtime, id] {
            return answer(m_api.cancelRequest(runtime, id), &RequestWire::request);
        });
    }
    case Route::AuditCheckpoint:
        return answer(m_api.auditCheckpoint(), &AuditWire::checkpoint);
    case Route::AuditProof:
    case Route::AuditConsistency: {
        const bool inclusion = route == Route::AuditProof;
        auto range = auditRange(request, inclusion);
        if (!range)
            return errorResponse(range.error());
        if (inclusion)
            return answer(m_api.auditInclusionProof(range->first, range->second), &AuditWire::inclusion);
        return answer(m_api.auditConsistencyProof(range->first, range->second), &AuditWire::consistency);
    }
    case Route::Health:
    case Route::RedeemInvitation:
    case Route::SessionChallenge:
    case Route::OpenSession:
    case Route::MemberProfile:
    case Route::MemberQueue:
    case Route::MemberRequest:
    case Route::MemberDecide:
        break;
    }
    // Deny by default: a route this switch does not serve is refused to a runtime, never
    // answered with something else.
    return errorResponse(Error{ErrorCode::PermissionDenied, QStringLiteral("runtimes may not use this route")});
}

std::optional<http::HttpResponse> RuntimeRoutes::getRequest(const http::HttpRequest& request,
                                                            http::HttpConnection& connection,
                                                            const approvals::RuntimeIdentity& runtime,
                                                            const QString& id)
{
    bool hasWait = false;
    const QByteArray waitText = request.queryValue("wait", &hasWait);
    bool ok = true;
    const int wait = hasWait ? waitText.toInt(&ok) : 0;
    if (!ok || wait < 0)
        return errorResponse(Error{ErrorCode::InvalidArgument, QStringLiteral("wait is a number of seconds")});
    if (auto cached = m_cache.find(runtime.id, id);
        cached && (wait == 0 || cached->state != approvals::RequestState::Pending))
        return http::HttpResponse::raw(200, cached->json);
    auto result = m_api.getRequest(runtime, id);
    if (!result)
        return errorResponse(result.error());
    const approvals::RequestState state = result->state;
    const QByteArray json = QJsonDocument(RequestWire::request(*result)).toJson(QJsonDocument::Compact);
    m_cache.insert(runtime.id, id, StatusCache::Entry{json, state});
    if (wait == 0 || state != approvals::RequestState::Pending)
        return http::HttpResponse::raw(200, json);
    const int seconds = std::min(wait, m_maxWaitSeconds);
    // Decisions made by another process (countersign-cli, a second app) raise no signal here:
    // the registry asks once a second whether the request is still pending.
    m_polls.wait(
        connection, id, qint64{seconds} * 1000, [this, runtime, id] { return status(runtime, id); },
        [this, runtime, id] {
            auto now = m_api.getRequest(runtime, id);
            // A database away for a moment (a team's restarting) is no news: the poll waits on.
            if (!now)
                return now.error().code != ErrorCode::Unavailable;
            return now->state != approvals::RequestState::Pending;
        });
    return std::nullopt;
}

http::HttpResponse RuntimeRoutes::status(const approvals::RuntimeIdentity& runtime, const QString& id)
{
    return answer(m_api.getRequest(runtime, id), &RequestWire::request);
}

void RuntimeRoutes::requestChanged(const QString& id)
{
    m_cache.invalidate(id);
    m_polls.wake(id);
}

std::optional<http::HttpResponse> RuntimeRoutes::consume(const http::HttpRequest& request,
                                                         http::HttpConnection& connection,
                                                         const approvals::RuntimeIdentity& runtime, const QString& id)
{
    auto body = jsonBody(request);
    if (!body)
        return body.error();
    const QJsonValue digest = json::Fields(*body).value(QStringLiteral("payload_sha256"));
    if (body->size() != 1 || !digest.isString())
        return errorResponse(
            Error{ErrorCode::InvalidArgument, QStringLiteral("the body is exactly {\"payload_sha256\": \"<hex>\"}")});
    // The conditional state change and its audit entry commit with the writes arriving alongside;
    // the receipt carries a checkpoint over the consume entry, which is signed only once that
    // entry is committed: after the commit, one checkpoint for every receipt of the batch
    // (audit::CheckpointSigner::covering).
    return m_afterCommit.answerLater(
        connection,
        [this, runtime, id, digest = digest.toString(),
         key = QString::fromUtf8(request.header("idempotency-key"))]() -> AnswerAfterCommit::Answer {
            auto settled = m_api.settleConsume(runtime, id, digest, key);
            return [this, settled = std::move(settled)] {
                if (!settled)
                    return errorResponse(settled.error());
                return answer(m_api.consumeReceipt(*settled), [](const approvals::RuntimeRequests::Consumed& consumed) {
                    return QJsonObject{{QStringLiteral("receipt"), consumed.receipt},
                                       {QStringLiteral("state"), approvals::stateName(consumed.request.state)}};
                });
            };
        });
}

} // namespace countersign::api
