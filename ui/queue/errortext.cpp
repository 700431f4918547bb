#include "queue/errortext.h"

#include "approvals/request.h"
#include "approvals/requestservice.h"
#include "common/durationtext.h"

#include <QCoreApplication>
#include <QLoggingCategory>

namespace countersign::ui {

namespace {

Q_LOGGING_CATEGORY(lcUi, "countersign.ui")

QString tr(const char* text)
{
    return QCoreApplication::translate("RefusalText", text);
}

QString conflict(const RefusalContext& context)
{
    const approvals::Request* request = context.request;
    const bool pending = request && request->state == approvals::RequestState::Pending;
    if (request && !pending)
        return tr("This request was already %1; there is nothing left to do with it.")
            .arg(approvals::stateName(request->state));
    switch (context.action) {
    case RequestAction::Extend:
        if (context.lifetimeSeconds > 0)
            return tr("This request cannot wait longer: its policy allows %1 in all.")
                .arg(durationText(context.lifetimeSeconds));
        return tr("This request cannot wait longer.");
    case RequestAction::Approve:
    case RequestAction::Deny:
        return tr("You already decided on this request; each person decides once.");
    case RequestAction::Reveal:
        break;
    }
    return tr("This request changed meanwhile; look at it again.");
}

QString permission(const RefusalContext& context)
{
    const approvals::Request* request = context.request;
    if (context.action == RequestAction::Approve && request && request->runtimeRevoked)
        return tr("Its runtime was revoked: this request can be denied, not approved.");
    if ((context.action == RequestAction::Approve || context.action == RequestAction::Deny) && request &&
        !request->raisedBy.isEmpty() && request->raisedBy == context.memberId)
        return tr("You raised this request, so someone else decides it.");
    switch (context.action) {
    case RequestAction::Approve:
    case RequestAction::Deny:
        return tr("Your role does not let you decide requests.");
    case RequestAction::Reveal:
        return tr("Your role does not let you see masked fields.");
    case RequestAction::Extend:
        return tr("Your role does not let you extend deadlines.");
    }
    return {};
}

QString invalid(const RefusalContext& context)
{
    const approvals::Request* request = context.request;
    if (context.action == RequestAction::Approve || context.action == RequestAction::Deny) {
        if (request && request->risk >= policy::Risk::High && context.reason.trimmed().isEmpty())
            return tr("A %1-risk request needs a reason: type it, then press Enter.")
                .arg(policy::riskName(request->risk));
        return tr("The reason was not accepted: one line of plain text, at most %L1 characters.")
            .arg(approvals::RequestService::MAX_REASON_CHARS);
    }
    return tr("This could not be done with this request.");
}

} // namespace

QString refusalText(const Error& error, const RefusalContext& context)
{
    qCInfo(lcUi) << "refused:" << errorCodeName(error.code) << error.message;
    switch (error.code) {
    case ErrorCode::NotFound:
        return tr("This request is no longer in the vault.");
    case ErrorCode::Expired:
        return context.action == RequestAction::Extend ? tr("This request expired; it can no longer be extended.")
                                                       : tr("This request expired before it was decided.");
    case ErrorCode::Conflict:
    case ErrorCode::AlreadyConsumed:
        return conflict(context);
    case ErrorCode::PermissionDenied:
    case ErrorCode::Unauthenticated:
        return permission(context);
    case ErrorCode::InvalidArgument:
        return invalid(context);
    case ErrorCode::DigestMismatch:
        return tr("The payload is not the one shown; nothing was decided. Look at the request again.");
    default:
        break;
    }
    return tr("The vault could not do this; nothing changed. If it happens again, verify the audit chain in the "
              "Vault tab.");
}

} // namespace countersign::ui
