"""Where a request is handled (办理地点): the four places RULEBOOK.md names."""

WINDOW = "社会保障卡业务经办窗口"
BANK_BRANCH = "合作银行营业网点"
BANK_PHONE = "银行服务电话"
BOTH_PHONES = "人社部门及银行服务电话"
