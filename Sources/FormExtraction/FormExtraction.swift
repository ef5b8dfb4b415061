// FormExtraction
