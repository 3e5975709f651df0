-- AlterTable
ALTER TABLE "Organization" ADD COLUMN "stripeAccountId" TEXT;

-- CreateTable
CREATE TABLE "Recovery" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "number" TEXT NOT NULL,
    "contractId" TEXT NOT NULL,
    "loanId" TEXT NOT NULL,
    "loanNumber" TEXT NOT NULL,
    "custodianKey" TEXT NOT NULL,
    "collectedOn" TEXT NOT NULL,
    "principal" BIGINT NOT NULL,
    "interest" BIGINT NOT NULL,
    "amount" BIGINT NOT NULL,
    "payer" TEXT NOT NULL,
    "evidenceFileId" TEXT NOT NULL,
    "note" TEXT,
    "reportedById" TEXT NOT NULL,
    "reportedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "status" TEXT NOT NULL DEFAULT 'REPORTED',
    "registerReference" TEXT,
    "registeredById" TEXT,
    "registeredAt" DATETIME,
    "registrationEntryId" TEXT,
    "verifiedById" TEXT,
    "verifiedAt" DATETIME,
    "rejectedById" TEXT,
    "rejectedAt" DATETIME,
    "rejectionReason" TEXT,
    "rejectionEntryId" TEXT,
    "lossRecordedById" TEXT,
    "lossRecordedAt" DATETIME,
    "lossNote" TEXT
);

-- CreateTable
CREATE TABLE "SettlementNumberSequence" (
    "prefix" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "last" INTEGER NOT NULL,

    PRIMARY KEY ("prefix", "year")
);

-- CreateTable
CREATE TABLE "Remittance" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "number" TEXT NOT NULL,
    "contractId" TEXT NOT NULL,
    "custodianKey" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "amount" BIGINT NOT NULL,
    "namedRecoveryIds" TEXT,
    "status" TEXT NOT NULL,
    "declaredById" TEXT,
    "declaredAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "payerReference" TEXT,
    "providerRef" TEXT,
    "remittedOn" TEXT,
    "confirmedById" TEXT,
    "confirmedAt" DATETIME,
    "voucherNumber" TEXT,
    "rejectedById" TEXT,
    "rejectedAt" DATETIME,
    "rejectionReason" TEXT,
    "entryId" TEXT
);

-- CreateTable
CREATE TABLE "RemittanceAllocation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "remittanceId" TEXT NOT NULL,
    "recoveryId" TEXT NOT NULL,
    "contractId" TEXT NOT NULL,
    "amount" BIGINT NOT NULL,
    "remittedOn" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "RemittanceAllocation_remittanceId_fkey" FOREIGN KEY ("remittanceId") REFERENCES "Remittance" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "RemittanceAllocation_recoveryId_fkey" FOREIGN KEY ("recoveryId") REFERENCES "Recovery" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "LateInterestAccrual" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "contractId" TEXT NOT NULL,
    "asOf" TEXT NOT NULL,
    "cumulative" BIGINT NOT NULL,
    "delta" BIGINT NOT NULL,
    "entryId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "ForcedDeduction" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "contractId" TEXT NOT NULL,
    "remittanceId" TEXT NOT NULL,
    "deductedOn" TEXT NOT NULL,
    "unremitted" BIGINT NOT NULL,
    "lateInterest" BIGINT NOT NULL,
    "fromDeposit" BIGINT NOT NULL,
    "claim" BIGINT NOT NULL,
    "jointlyLiable" TEXT,
    "topUpDueOn" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "decidedById" TEXT NOT NULL,
    "decidedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "entryId" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "SettlementStatement" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "number" TEXT NOT NULL,
    "contractId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "quarter" INTEGER NOT NULL,
    "periodStartsOn" TEXT NOT NULL,
    "periodEndsOn" TEXT NOT NULL,
    "custodianKind" TEXT NOT NULL,
    "custodianKey" TEXT NOT NULL,
    "recoveredPrincipal" BIGINT NOT NULL,
    "recoveredInterest" BIGINT NOT NULL,
    "payableToCustodian" BIGINT NOT NULL,
    "owedByCustodian" BIGINT NOT NULL,
    "deductionsTaken" BIGINT NOT NULL,
    "netPayable" BIGINT NOT NULL,
    "earnedToDate" BIGINT NOT NULL DEFAULT 0,
    "generatedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "generatedBy" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'draft',
    "submittedById" TEXT,
    "submittedAt" DATETIME,
    "verifiedById" TEXT,
    "verifiedAt" DATETIME,
    "reviewedById" TEXT,
    "reviewedAt" DATETIME,
    "invoiceNumber" TEXT,
    "invoiceRecordedById" TEXT,
    "invoiceRecordedAt" DATETIME,
    "paidById" TEXT,
    "paidAt" DATETIME,
    "paymentMethod" TEXT,
    "paymentReference" TEXT,
    "entryId" TEXT
);

-- CreateTable
CREATE TABLE "SettlementStatementLine" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "statementId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "recoveryId" TEXT,
    "loanNumber" TEXT,
    "collectedOn" TEXT,
    "principal" BIGINT,
    "interest" BIGINT,
    "loans" INTEGER,
    "amount" BIGINT NOT NULL,
    "basis" TEXT,
    "verifiedById" TEXT,
    "verifiedAt" DATETIME,
    CONSTRAINT "SettlementStatementLine_statementId_fkey" FOREIGN KEY ("statementId") REFERENCES "SettlementStatement" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "PreservationReward" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "contractId" TEXT NOT NULL,
    "loanId" TEXT NOT NULL,
    "statementId" TEXT NOT NULL,
    "interruptionId" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "ContractCloseOut" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "contractId" TEXT NOT NULL,
    "refund" BIGINT NOT NULL,
    "openClaims" TEXT NOT NULL,
    "voucherNumber" TEXT NOT NULL,
    "closedById" TEXT NOT NULL,
    "closedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "entryId" TEXT
);

-- CreateIndex
CREATE UNIQUE INDEX "Recovery_number_key" ON "Recovery"("number");

-- CreateIndex
CREATE INDEX "Recovery_contractId_collectedOn_idx" ON "Recovery"("contractId", "collectedOn");

-- CreateIndex
CREATE INDEX "Recovery_status_idx" ON "Recovery"("status");

-- CreateIndex
CREATE INDEX "Recovery_loanId_idx" ON "Recovery"("loanId");

-- CreateIndex
CREATE UNIQUE INDEX "Remittance_number_key" ON "Remittance"("number");

-- CreateIndex
CREATE UNIQUE INDEX "Remittance_providerRef_key" ON "Remittance"("providerRef");

-- CreateIndex
CREATE INDEX "Remittance_contractId_status_idx" ON "Remittance"("contractId", "status");

-- CreateIndex
CREATE INDEX "RemittanceAllocation_recoveryId_idx" ON "RemittanceAllocation"("recoveryId");

-- CreateIndex
CREATE INDEX "RemittanceAllocation_contractId_idx" ON "RemittanceAllocation"("contractId");

-- CreateIndex
CREATE INDEX "LateInterestAccrual_contractId_asOf_idx" ON "LateInterestAccrual"("contractId", "asOf");

-- CreateIndex
CREATE UNIQUE INDEX "ForcedDeduction_remittanceId_key" ON "ForcedDeduction"("remittanceId");

-- CreateIndex
CREATE INDEX "ForcedDeduction_contractId_idx" ON "ForcedDeduction"("contractId");

-- CreateIndex
CREATE UNIQUE INDEX "SettlementStatement_number_key" ON "SettlementStatement"("number");

-- CreateIndex
CREATE INDEX "SettlementStatement_state_idx" ON "SettlementStatement"("state");

-- CreateIndex
CREATE UNIQUE INDEX "SettlementStatement_contractId_kind_year_quarter_key" ON "SettlementStatement"("contractId", "kind", "year", "quarter");

-- CreateIndex
CREATE UNIQUE INDEX "SettlementStatementLine_recoveryId_key" ON "SettlementStatementLine"("recoveryId");

-- CreateIndex
CREATE UNIQUE INDEX "SettlementStatementLine_statementId_position_key" ON "SettlementStatementLine"("statementId", "position");

-- CreateIndex
CREATE UNIQUE INDEX "PreservationReward_contractId_loanId_key" ON "PreservationReward"("contractId", "loanId");

-- CreateIndex
CREATE UNIQUE INDEX "ContractCloseOut_contractId_key" ON "ContractCloseOut"("contractId");


-- Append-only and decided-once rules ([SETTLE]): money records are never edited or deleted.
CREATE TRIGGER "Recovery_no_delete" BEFORE DELETE ON "Recovery" BEGIN SELECT RAISE(ABORT, 'recoveries are never deleted'); END;
CREATE TRIGGER "Recovery_figures_fixed" BEFORE UPDATE ON "Recovery" WHEN NEW."amount" <> OLD."amount" OR NEW."principal" <> OLD."principal" OR NEW."interest" <> OLD."interest" OR NEW."collectedOn" <> OLD."collectedOn" OR NEW."loanId" <> OLD."loanId" OR NEW."contractId" <> OLD."contractId" BEGIN SELECT RAISE(ABORT, 'a recovery''s figures are final'); END;
CREATE TRIGGER "Recovery_decided_once" BEFORE UPDATE ON "Recovery" WHEN OLD."status" IN ('VERIFIED', 'REJECTED') AND NEW."status" <> OLD."status" BEGIN SELECT RAISE(ABORT, 'a verified or rejected recovery is final'); END;
CREATE TRIGGER "Recovery_loss_once" BEFORE UPDATE ON "Recovery" WHEN OLD."lossRecordedAt" IS NOT NULL AND (NEW."lossRecordedAt" IS NULL OR NEW."lossRecordedAt" <> OLD."lossRecordedAt") BEGIN SELECT RAISE(ABORT, 'a recorded loss of funds is final'); END;
CREATE TRIGGER "Remittance_no_delete" BEFORE DELETE ON "Remittance" BEGIN SELECT RAISE(ABORT, 'remittances are never deleted'); END;
CREATE TRIGGER "Remittance_decided_once" BEFORE UPDATE ON "Remittance" WHEN OLD."status" IN ('CONFIRMED', 'REJECTED', 'FAILED') BEGIN SELECT RAISE(ABORT, 'a decided remittance is final'); END;
CREATE TRIGGER "Remittance_amount_fixed" BEFORE UPDATE ON "Remittance" WHEN NEW."amount" <> OLD."amount" OR NEW."contractId" <> OLD."contractId" BEGIN SELECT RAISE(ABORT, 'a remittance''s amount is final'); END;
CREATE TRIGGER "RemittanceAllocation_no_update" BEFORE UPDATE ON "RemittanceAllocation" BEGIN SELECT RAISE(ABORT, 'RemittanceAllocation is append-only'); END;
CREATE TRIGGER "RemittanceAllocation_no_delete" BEFORE DELETE ON "RemittanceAllocation" BEGIN SELECT RAISE(ABORT, 'RemittanceAllocation is append-only'); END;
CREATE TRIGGER "LateInterestAccrual_no_update" BEFORE UPDATE ON "LateInterestAccrual" BEGIN SELECT RAISE(ABORT, 'LateInterestAccrual is append-only'); END;
CREATE TRIGGER "LateInterestAccrual_no_delete" BEFORE DELETE ON "LateInterestAccrual" BEGIN SELECT RAISE(ABORT, 'LateInterestAccrual is append-only'); END;
CREATE TRIGGER "ForcedDeduction_no_update" BEFORE UPDATE ON "ForcedDeduction" BEGIN SELECT RAISE(ABORT, 'ForcedDeduction is append-only'); END;
CREATE TRIGGER "ForcedDeduction_no_delete" BEFORE DELETE ON "ForcedDeduction" BEGIN SELECT RAISE(ABORT, 'ForcedDeduction is append-only'); END;
CREATE TRIGGER "SettlementStatement_no_delete" BEFORE DELETE ON "SettlementStatement" BEGIN SELECT RAISE(ABORT, 'statements are never deleted'); END;
CREATE TRIGGER "SettlementStatement_paid_immutable" BEFORE UPDATE ON "SettlementStatement" WHEN OLD."state" = 'paid' BEGIN SELECT RAISE(ABORT, 'a paid statement is immutable'); END;
CREATE TRIGGER "SettlementStatement_figures_fixed" BEFORE UPDATE ON "SettlementStatement" WHEN NEW."netPayable" <> OLD."netPayable" OR NEW."payableToCustodian" <> OLD."payableToCustodian" OR NEW."owedByCustodian" <> OLD."owedByCustodian" OR NEW."recoveredPrincipal" <> OLD."recoveredPrincipal" OR NEW."recoveredInterest" <> OLD."recoveredInterest" OR NEW."deductionsTaken" <> OLD."deductionsTaken" OR NEW."contractId" <> OLD."contractId" BEGIN SELECT RAISE(ABORT, 'a statement''s figures are final'); END;
CREATE TRIGGER "SettlementStatementLine_no_delete" BEFORE DELETE ON "SettlementStatementLine" BEGIN SELECT RAISE(ABORT, 'statement lines are never deleted'); END;
CREATE TRIGGER "SettlementStatementLine_content_fixed" BEFORE UPDATE ON "SettlementStatementLine" WHEN NEW."amount" <> OLD."amount" OR NEW."kind" <> OLD."kind" OR NEW."statementId" <> OLD."statementId" OR NEW."position" <> OLD."position" OR OLD."verifiedAt" IS NOT NULL BEGIN SELECT RAISE(ABORT, 'a statement line is final once verified'); END;
CREATE TRIGGER "PreservationReward_no_update" BEFORE UPDATE ON "PreservationReward" BEGIN SELECT RAISE(ABORT, 'PreservationReward is append-only'); END;
CREATE TRIGGER "PreservationReward_no_delete" BEFORE DELETE ON "PreservationReward" BEGIN SELECT RAISE(ABORT, 'PreservationReward is append-only'); END;
CREATE TRIGGER "ContractCloseOut_no_update" BEFORE UPDATE ON "ContractCloseOut" BEGIN SELECT RAISE(ABORT, 'a close-out is final'); END;
CREATE TRIGGER "ContractCloseOut_no_delete" BEFORE DELETE ON "ContractCloseOut" BEGIN SELECT RAISE(ABORT, 'a close-out is final'); END;
CREATE TRIGGER "SettlementNumberSequence_only_grows" BEFORE UPDATE ON "SettlementNumberSequence" WHEN NEW."last" <= OLD."last" BEGIN SELECT RAISE(ABORT, 'numbers are never reused'); END;
CREATE TRIGGER "SettlementNumberSequence_no_delete" BEFORE DELETE ON "SettlementNumberSequence" BEGIN SELECT RAISE(ABORT, 'numbers are never reused'); END;
